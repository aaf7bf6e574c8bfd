{#- dbt run-operation reset_segment_history: drops marts.segment_membership_history and
    marts.segment_history_days, so that the next build starts the history afresh (its first
    day: every member joins). The two are `full_refresh: false` (dbt_project.yml): a
    `dbt build --full-refresh` keeps them, since no single build can rebuild past days.
    scripts/backfill.py --reset (make backfill ... RESET=1) calls it first. -#}
{% macro reset_segment_history() -%}
    {%- set ns = namespace(dropped=false) -%}
    {%- for name in ['segment_membership_history', 'segment_history_days'] -%}
        {%- set node = graph.nodes.get('model.personas.' ~ name) -%}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- if relation is not none -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- set ns.dropped = true -%}
            {%- do log('reset_segment_history: dropped ' ~ relation, info=true) -%}
        {%- else -%}
            {%- do log('reset_segment_history: ' ~ name ~ ' does not exist', info=true) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- run_query opened a transaction on DuckDB and PostgreSQL (Spark has none). -#}
    {%- if ns.dropped and target.type != 'spark' -%}
        {%- do adapter.commit() -%}
    {%- endif -%}
{%- endmacro %}
