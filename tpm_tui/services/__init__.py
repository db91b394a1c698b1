"""Use cases over the database: plain values in and out, no Textual."""
