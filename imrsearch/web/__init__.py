"""`imrsearch serve`: the index as web pages and a JSON API, read-only, for several readers.

`app.make_app` builds the Starlette application (pages in `pages`, the API in `jsonapi`, both
reading through the bounded `pool`); `cli.serve` starts it under uvicorn.
"""
