"""Other apps' chat exports (ChatGPT's, Open WebUI's) read into relaychat's own export shape."""
