"""Where gradient descent goes from many starts: convergent fractions, sweeps, cell maps, dimensions."""
