{#- The incremental strategy of marts.segment_membership_history on DuckDB and PostgreSQL
    (config incremental_strategy='segment_history'; dbt finds a strategy by the macro name
    get_incremental_<strategy>_sql). The model's batch holds the rows that change on D: the
    intervals closed on D, the intervals opened on D, and those that a rerun of D reopens.
    This deletes every stored row with valid_from on or after D (the intervals a previous
    run of the same D opened: the batch holds those that are still right) and every stored
    row whose key (segment_name, profile_id, valid_from) is in the batch (an open interval
    that D closes, an interval that a rerun reopens), then inserts the batch, in the model's
    transaction. Rows closed before D are never touched. The model refuses a D before the
    latest day of history (personas.history_refuse_out_of_order_day), so on or after D means
    on D. Spark's Parquet tables have no delete: the model uses insert_overwrite there
    (partitions of valid_to). -#}
{% macro get_incremental_segment_history_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where
        valid_from >= {{ personas.as_of_date() }}
        or exists (
            select 1
            from {{ source }} as batch
            where
                batch.segment_name = {{ target }}.segment_name
                and batch.profile_id = {{ target }}.profile_id
                and batch.valid_from = {{ target }}.valid_from
        );

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
{%- endmacro %}
