"""The statutory returns as councils hold them: the children in need census (XML) and the SSDA903 (CSV).

Readers (:mod:`.ssda903`, :mod:`.cin`), DfE's measure definitions (:mod:`.ssda903_measures`,
:mod:`.cin_measures`), Great Expectations suites with DfE's validation rules (:mod:`.expectations`) and the
``analysis returns FOLDER`` command (:mod:`.command`).
"""
