"""The Gradio app (`rag serve`): cited chat with a sources panel, follow-ups,
filters, knowledge-base management and briefing export; plus the named API
endpoint `ask`. Modules: `ui` (layout and events), `chat` (one turn),
`render` (escaped HTML), `library` (upload/delete/rebuild), `modes`
(answer modes), `style`, `server`."""

from .render import sources_html
from .server import serve
from .ui import build_app

__all__ = ["build_app", "serve", "sources_html"]
