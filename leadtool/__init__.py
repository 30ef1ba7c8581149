"""leadtool: turn lead exports from any platform into one clean, qualified list."""

__version__ = "0.1.0"
