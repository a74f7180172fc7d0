"""The one place the mg-train version lives (read by hatchling and by `mg_train.__version__`)."""

__version__ = "0.2.1"
