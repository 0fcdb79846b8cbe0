"""Leader standard work: audit layers, shifts, walk plans and the walks they plan."""
