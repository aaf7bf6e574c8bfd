{#- The one place raw data is read. Returns a subquery with exactly the contract's columns,
    as text, from the demo seed (var load_demo_data), the file <raw_data_path>/<entity>.parquet
    (or .csv) with var raw_data_path set, or else the user's table <raw_schema>.<entity>
    (raw_input). Extra columns are ignored; a missing contract column stops the build with
    the list of what is missing. -#}
{% macro raw_relation(entity) -%}
    {{ return(adapter.dispatch('raw_relation', 'personas')(entity)) }}
{%- endmacro %}

{% macro default__raw_relation(entity) -%}
    {%- set contract = personas.raw_contract(entity) -%}
    {%- set relation = personas.raw_input(entity) -%}
    {%- if execute -%}
        {%- set present = personas.raw_input_columns(relation) | map('lower') | list -%}
        {%- set missing = [] -%}
        {%- for column in contract['columns'] if column not in present -%}
            {%- do missing.append(column) -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "Raw input '" ~ entity ~ "' (" ~ relation ~ ") lacks the column(s) "
                ~ missing | join(', ') ~ " that the data contract requires "
                ~ "(docs: docs/data-contract.md). Add them, even empty."
            ) }}
        {%- endif -%}
    {%- endif -%}
    (
        select
        {%- for column in contract['columns'] %}
            cast({{ column }} as {{ dbt.type_string() }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
        from {{ relation }}
    )
{%- endmacro %}
