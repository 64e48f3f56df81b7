"""Review: the draft, the facts and the record → nudges to close before signing."""
