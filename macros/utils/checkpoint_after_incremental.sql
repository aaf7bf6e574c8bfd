{#- A post-hook of the delete+insert incremental models, run after their commit
    (dbt_project.yml, anchor &checkpoint): on DuckDB, after an incremental run, FORCE
    CHECKPOINT, which writes the run's changes to the database file and frees the memory they
    hold. A delete keeps, for every vector of rows that lost a row, version information that
    DuckDB can neither evict nor spill until a checkpoint, and the keys a daily run replaces
    are spread over the whole of these tables: at the 1M-profile shop that memory made
    fct_engagement run out of memory in a daily run at a memory_limit the full build passes
    at. DuckDB's automatic checkpoint did not run there: the other dbt thread nearly always has
    a transaction open. FORCE waits for it to end (a plain CHECKPOINT fails while one is open).
    Measured: docs/benchmarks.md, "2026-12-06, fifth session: the daily run's deletes hold
    memory until a checkpoint". Full refreshes (no delete) and other engines: nothing. -#}
{% macro checkpoint_after_incremental() -%}
    {%- if target.type == 'duckdb' and is_incremental() -%}
        force checkpoint
    {%- endif -%}
{%- endmacro %}
