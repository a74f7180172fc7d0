"""The one place the mg-optim version lives (read by hatchling and by `mg_optim.__version__`)."""

__version__ = "0.2.0"
