"""The Flink cluster: the REST client and its typed answers, the live-job read model,
where a stopped job's snapshots are (``snapshots.py``), the local cluster, the SQL
runner jar. May import errors and the helpers at the
package root (``_procs``), nothing else of flinkops.
"""
