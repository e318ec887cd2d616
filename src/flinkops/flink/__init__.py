"""The Flink cluster: the REST client and its typed answers, the live-job read model,
the local cluster, the SQL runner jar. May import errors and the helpers at the
package root (``_procs``), nothing else of flinkops.
"""
