"""Utilities that mirror `pyflink.util`: the exceptions a program catches."""
