"""Domain errors. Each message names the bad value and how to fix it;
the CLI and the app turn them into friendly output (no traceback)."""


class RagError(Exception):
    """Base class for errors shown to users as plain messages."""


class LoadError(RagError):
    """A document could not be read (unsupported type, binary, undecodable, empty)."""


class IndexMissingError(RagError):
    pass


class IndexMismatchError(RagError):
    pass


class IndexCorruptError(RagError):
    pass


class QuestionError(RagError):
    pass
