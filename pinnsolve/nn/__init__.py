"""Networks and what shapes their outputs: the MLP and ResNet, fixed and adaptive activations,
reproducing activation functions (RAF), and the hard boundary constraint."""
