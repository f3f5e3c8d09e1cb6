"""The network lab: the network editor, dataset, live training, decision plot and network view."""
