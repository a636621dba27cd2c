"""Small, pure science models behind the lessons and explorers (numpy/pandas/networkx only).

- :mod:`~tmvlearn.models.sedimentation`: Stokes' law, RCF, k-factor, fraction pelleted.
- :mod:`~tmvlearn.models.sizes`: simulated log-normal vesicle diameters, overlaps, size windows.
- :mod:`~tmvlearn.models.diagnostics`: a simulated cohort, sensitivity, specificity, ROC, PPV/NPV.
- :mod:`~tmvlearn.models.resistance`: a toy model of P-gp resistance spread by microvesicles.
- :mod:`~tmvlearn.models.networks`: queries over the biogenesis and immune-interaction data.
"""
