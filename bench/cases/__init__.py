"""One module per target; each exposes ``async def run(cfg) -> CaseResult``."""
