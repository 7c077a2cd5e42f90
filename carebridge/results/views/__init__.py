"""The patient's pages of results: 查报告单 (list and report, with sharing), 就诊记录, and the
public page a shared link opens. Thin: reads are the models' rules, writes are actions."""
