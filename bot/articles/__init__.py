"""Article library: ingestion, cleaning, fetching by URL and summarizing news articles."""
