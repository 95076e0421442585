"""The HTTP surface of conversations: the ChatKit endpoint and what hangs off /api/chatkit/.

``chatkit`` — POST /api/chatkit; ``attachments`` — upload and preview; ``hosted`` — hosted-mode
sessions and proxy; ``config`` — GET /api/config. The engine behind them is
``conversations.engine``; the pages are ``conversations.views``.
"""
