"""The admin: the dictionary admin (``dictionary``), its forms (``forms``), its import and export
pages (``transfer``) and the extension point other apps add to it through (``extensions``)."""

from pronunciations.admin.dictionary import DictionaryAdmin

__all__ = ["DictionaryAdmin"]
