"""Put report-qa in front of people and programs: CLI, HTTP API, Gradio chat."""
