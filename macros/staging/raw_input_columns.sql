{#- The column names a raw input really has (a relation or a DuckDB table function). -#}
{% macro raw_input_columns(raw_input) -%}
    {{ return(adapter.dispatch('raw_input_columns', 'personas')(raw_input)) }}
{%- endmacro %}

{% macro default__raw_input_columns(raw_input) -%}
    {%- if raw_input is string -%}
        {%- set described = run_query('describe select * from ' ~ raw_input) -%}
        {{ return(described.columns[0].values() | list) }}
    {%- endif -%}
    {{ return(adapter.get_columns_in_relation(raw_input) | map(attribute='name') | list) }}
{%- endmacro %}
