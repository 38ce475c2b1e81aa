"""Vangnet's date formats (Django's FORMAT_MODULE_PATH): one way of writing dates everywhere."""
