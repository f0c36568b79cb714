"""Documents kept with an appeal (R-12.1): uploaded and read as streams, never erased."""
