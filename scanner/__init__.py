"""trustscan: prove SOC 2 controls on live cloud infrastructure."""

__version__ = "0.1.0"
