"""The Streamlit layer (the only package importing streamlit): session state, caches, sidebar, home page, explorer."""
