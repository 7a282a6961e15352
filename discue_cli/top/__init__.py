"""`discue top`: the polling model (model.py, no terminal) and the full-screen view (view.py, Textual)."""
