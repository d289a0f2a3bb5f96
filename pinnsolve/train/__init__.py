"""Training: the loss, the phases (Adam, then a quasi-Newton method), the trainer that runs them,
the redraw of residual points, checkpoints and interrupts."""
