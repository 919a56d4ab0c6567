"""The web application: server-rendered pages in German and English (issue 10).

``mount_web(app)`` adds the pages to the API's FastAPI app; they read their data
through ``service.web.data`` (the API runtime's store and matcher when present).
"""

from service.web.app import create_web_app, mount_web

__all__ = ["mount_web", "create_web_app"]
