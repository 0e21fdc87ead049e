"""Exam sessions (voice contract, "Exam sessions and voice control"): a whole exam dictated hands-free.

``cursor`` walks the clinic's exam order, ``grid`` folds what is heard in perio mode into one
pending perio chart, ``state`` keeps both on the voice session, ``controls`` carries out the
spoken controls with the speaker's rights and ``service`` starts and finishes an exam.
"""
