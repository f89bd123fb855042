"""Pictures of data without Streamlit: Plotly figures of dataset statistics, annotation overlays, the sample gallery."""
