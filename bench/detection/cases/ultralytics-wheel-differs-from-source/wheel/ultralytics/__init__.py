__version__ = "8.3.41"
