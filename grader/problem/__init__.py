"""The problems: validated specs (``spec``), the reference servers' base (``reference``) and
the pure server protocol they all speak (``protocol``). Data in, never code generated from it.
"""
