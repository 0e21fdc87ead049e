"""Dictation: interpret an utterance, and run voice-to-chart up to the approval queue."""
