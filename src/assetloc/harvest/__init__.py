"""Tax-loss harvesting: candidate lots, their replacement, tax value and wash-sale conflicts."""
