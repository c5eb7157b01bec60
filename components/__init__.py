"""UI pieces reused by pages. They render what they are given; they never open DB sessions."""
