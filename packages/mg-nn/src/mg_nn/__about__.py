"""The one place the mg-nn version lives (read by hatchling and by `mg_nn.__version__`)."""

__version__ = "0.2.0"
