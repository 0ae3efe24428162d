"""The B2B meeting-scheduling benchmark (Bofill et al., JAIR 2022) as scenarios."""

from sim.b2b.dzn import DznError
from sim.b2b.importer import b2b_document, b2b_yaml, import_b2b, load_imported

__all__ = ["DznError", "b2b_document", "b2b_yaml", "import_b2b", "load_imported"]
