"""The one place the mg-autograd version lives (read by hatchling and `mg_autograd.__version__`)."""

__version__ = "0.2.0"
