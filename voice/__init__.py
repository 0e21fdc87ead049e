"""Voice: speech recognition (``asr``), the dental interpreter (``interpreter``), resolution of
commands to tools (``resolver``), dictation sessions (``sessions``), the voice-to-chart graph
(``graph``) and the service both faces call (``service``)."""
