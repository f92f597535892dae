"""thidua: period analyses of emulation blocs (khối thi đua).

Layers, lowest first (tests/test_architecture.py checks them): ``config`` and ``errors``;
``model`` (covenant, registry, vocabularies, period data, reading files); ``engine`` (pure
rules: scoring, targets, ranking, nominations); ``reports`` and ``forms``; ``runs``;
``explorer``; ``cli``. ``samples`` builds synthetic data from the model.
"""
