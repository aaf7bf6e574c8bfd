{#- dbt run-operation segment_history_days_recorded: logs one line
    `segment_history_days_recorded: <day>,<day>,...` (empty when the history does not exist
    or holds no day), the as_of_date values of marts.segment_history_days in order.
    scripts/backfill.py reads it to resume an interrupted backfill and to refuse days that
    would go back in time. -#}
{% macro segment_history_days_recorded() -%}
    {%- set node = graph.nodes.get('model.personas.segment_history_days') -%}
    {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- set days = [] -%}
    {%- if relation is not none -%}
        {%- set query -%}
            select distinct cast(as_of_date as {{ dbt.type_string() }}) as as_of_date
            from {{ relation }}
            order by as_of_date
        {%- endset -%}
        {%- for value in run_query(query).columns[0].values() -%}
            {%- do days.append(value) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- do print('segment_history_days_recorded: ' ~ days | join(',')) -%}
{%- endmacro %}
