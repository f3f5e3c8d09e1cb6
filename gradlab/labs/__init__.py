"""Each lab's state and logic without Qt: the UI's models are thin adapters over these."""
