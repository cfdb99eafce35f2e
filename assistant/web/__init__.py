"""The Gradio web app: app (layout and events), chat (turn logic), render (HTML)."""
