"""Run directories, the contract every part shares: file names, reading, a trainer's lifecycle, its process."""
