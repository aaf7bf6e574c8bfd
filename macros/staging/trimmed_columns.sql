{#- Every contract column of a raw entity read as the contract says: trimmed, and an empty
    string is a null. Emits a select list. -#}
{% macro trimmed_columns(entity, relation_alias) -%}
    {{ return(adapter.dispatch('trimmed_columns', 'personas')(entity, relation_alias)) }}
{%- endmacro %}

{% macro default__trimmed_columns(entity, relation_alias) -%}
    {%- for column in personas.raw_contract(entity)['columns'] %}
    nullif(trim({{ relation_alias }}.{{ column }}), '') as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
